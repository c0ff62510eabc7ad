"""The dashboard: a Starlette app served beside the bot, in the same process and event loop.

Routes are thin like handlers: they read the request, call storage and the domain (the
same services the chat uses), and render a Jinja2 template. web/ never imports handlers/
(but for handlers/i18n.py, the languages' machinery and catalogue both share); what the chat
must do for a coordinator's action arrives through `ports.Actions`, which bot/app.py wires
to handlers/dashboard.py.
"""
