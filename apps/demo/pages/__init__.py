"""`manage.py bench_pages`: req/s of every role's main read pages beside a framework floor page, same run."""
