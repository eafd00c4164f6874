from bulletin.cli.main import main

main()
