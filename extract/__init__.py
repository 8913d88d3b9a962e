"""Getting bytes and structure: source profiles, URL discovery, fetching, charset decoding, HTML -> fields."""
