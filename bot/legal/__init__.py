"""The law behind the answers: the catalogue of laws and their versions with the cited articles'
texts (sources), the lawyer's review of the FAQ answers (review), and keeping console edits of
the FAQ across seed loads (faq_seed)."""
