# Everything is in pyproject.toml. This file exists because scrapyd-deploy writes its own setup.py
# when none is present (and leaves it behind); with this one it builds the egg from pyproject.toml.
from setuptools import setup

setup()
