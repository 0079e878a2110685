from tests.sitebuilder.build import main
import sys

main(sys.argv[1:])
