"""Organiser communications: announcements e-mailed to a segment of the delegates, each in
their own language, published on the event's pages, with a delivery record.

A message is written once per offered language (Markdown); the segment is a small JSON
filter (:mod:`confapp.comms.segments`); sending writes one recipient row per person and a
job releases them into the outbox at the configured rate (:mod:`confapp.comms.jobs`).
"""
