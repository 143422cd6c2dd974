"""One reader per migration framework: its file in, an Analysis of its operations out."""
