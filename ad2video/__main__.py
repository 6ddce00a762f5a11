from ad2video.cli import main

main()
