import sys

from tests.sitebuilder.build import main

main(sys.argv[1:])
