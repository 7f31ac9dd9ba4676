"""The designer studio: pages (pages.py) with the editor's forms, access and the network coverage check."""
