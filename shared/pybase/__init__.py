"""PyBase: an open, serverless Airtable alternative for engineering teams."""
