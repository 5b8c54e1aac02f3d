"""PyBase: an open, serverless Airtable alternative for engineering teams."""

from pybase.config import get_settings, on_lambda

if on_lambda():
    # Every function imports this package first: on AWS Lambda, check the settings while the function
    # starts, so a deployment without a real JWT secret (or database/Redis URLs) fails its cold start
    # instead of serving requests with a development default.
    get_settings()
