"""gunicorn settings for `make run` and production; each can be overridden from the environment."""

import os

# Whatever the site writes (the SQLite files, the page-cache marker) is for its own user only; uploaded
# images stay readable for a web server through FILE_UPLOAD_PERMISSIONS (settings.py).
os.umask(0o077)

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = 30
graceful_timeout = 20
# Request bodies larger than Django's limits are refused by Django; these bound what gunicorn buffers.
limit_request_line = 4094
limit_request_fields = 100
accesslog = "-"
# Method, path and status only: no query strings, no referrers, nothing a patient typed.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
# gunicorn 27's control socket would live in the home folder ($HOME/.gunicorn), outside the project;
# nothing here uses it.
control_socket_disable = True
