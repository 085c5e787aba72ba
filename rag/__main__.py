import sys

from rag.interfaces.cli import main

sys.exit(main())
