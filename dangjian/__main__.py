import sys

from dangjian.cli import main

sys.exit(main())
