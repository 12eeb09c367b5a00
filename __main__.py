"""Entry point for `pulumi up`: all logic lives in program.py."""

import program

program.main()
