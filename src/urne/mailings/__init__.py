"""Mailings from the back office: staff compose a message for the electors of their perimeter
(invitation to create an account, reminder to create or confirm it, reminder to vote), preview it
for a real recipient, and Celery workers send it, throttled, resumably, recording each send.

- `models`: the mailing and its per-elector send records;
- `audience`: who a mailing goes to (its kind, perimeter and scrutin), and when it may go;
- `composing`: the templates, their placeholders, and the message one elector gets;
- `services`: the staff verbs (`check_*`, `do_*`, `access_*`), each audited;
- `sending`: the run of a mailing by a worker (claims, throttle, takeover of a stuck run);
- `tasks`, `views`, `urls`: Celery and the pages under /gestion/envois/.
"""
