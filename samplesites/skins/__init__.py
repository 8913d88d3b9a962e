"""One module per sample site: its chrome around the article and its list pages.

Each skin provides `article_page(ctx: PageContext) -> str` and
`list_page(links, number, count) -> str`; the build encodes the result in the
site's codec.
"""
