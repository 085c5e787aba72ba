import sys

from rag.interfaces.cli import main

sys.exit(main(["eval", *sys.argv[1:]]))
