from events.cli import main

if __name__ == "__main__":  # not when a worker process (Dask's, multiprocessing's spawn) imports this module
    main()
