"""Pure functions on text: chrome and spam removal, pinyin, script, punctuation, numbers, fingerprints. No I/O."""
