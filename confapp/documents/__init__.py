"""Documents delegates carry: branding (letterhead, logo, signature) shared by the PDFs."""
