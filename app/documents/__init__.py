"""Agreement and package PDFs: rendering, signing, verification."""
