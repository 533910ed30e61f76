"""python -m pginstall"""

from .cli import main

main(prog_name="pginstall")
