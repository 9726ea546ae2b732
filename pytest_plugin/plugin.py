"""pytest plugin entry point of tn-mock.

Kept free of Flask and authlib imports, so that installing tn-mock does not
slow down test runs that do not use its fixtures.
"""
