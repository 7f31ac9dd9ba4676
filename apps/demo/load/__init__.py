"""The load benchmark (`manage.py bench_load`): a copy of the demo network, a live server, locust, a summary.

network.py builds the copy and what the run acts on, server.py runs the web server and the local Stripe server,
summary.py turns locust's stats into the printed JSON, locustfile.py is what locust runs (it alone imports locust,
which patches the standard library with gevent on import: nothing in the Django process imports it).
"""
