from toppypi.cli import main

main()
