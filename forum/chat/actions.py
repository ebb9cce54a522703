"""Chat rules in one place for the HTTP views, the Socket.IO handlers and the CLI.

The rules live in small modules: :mod:`forum.chat.queries` (reading, membership),
:mod:`forum.chat.conversations` (direct and group conversations) and
:mod:`forum.chat.messages` (send, edit, delete, read markers). ``check_*`` validate,
``do_*`` write, commit once, then emit to an explicit room.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l  # noqa: F401 - used by callers through this module

from forum.chat.conversations import MAX_GROUP_MEMBERS  # noqa: F401
from forum.chat.conversations import MAX_TITLE_LENGTH  # noqa: F401
from forum.chat.conversations import check_title  # noqa: F401
from forum.chat.conversations import do_add_members  # noqa: F401
from forum.chat.conversations import do_create_group  # noqa: F401
from forum.chat.conversations import do_remove_member  # noqa: F401
from forum.chat.conversations import do_rename  # noqa: F401
from forum.chat.conversations import do_start_direct  # noqa: F401
from forum.chat.errors import ChatError  # noqa: F401
from forum.chat.errors import internal_error  # noqa: F401
from forum.chat.errors import rate_error  # noqa: F401
from forum.chat.errors import unreadable  # noqa: F401
from forum.chat.messages import EDIT_WINDOW  # noqa: F401
from forum.chat.messages import MAX_CLIENT_ID_LENGTH  # noqa: F401
from forum.chat.messages import Sent  # noqa: F401
from forum.chat.messages import check_body  # noqa: F401
from forum.chat.messages import check_client_id  # noqa: F401
from forum.chat.messages import do_delete  # noqa: F401
from forum.chat.messages import do_edit  # noqa: F401
from forum.chat.messages import do_mark_read  # noqa: F401
from forum.chat.messages import do_send  # noqa: F401
from forum.chat.messages import do_set_receipts  # noqa: F401
from forum.chat.messages import render_body  # noqa: F401
from forum.chat.queries import CATCH_UP_LIMIT  # noqa: F401
from forum.chat.queries import PAGE_SIZE  # noqa: F401
from forum.chat.queries import conversation_ids_of  # noqa: F401
from forum.chat.queries import conversations_for  # noqa: F401
from forum.chat.queries import display_title  # noqa: F401
from forum.chat.queries import history  # noqa: F401
from forum.chat.queries import member_ids  # noqa: F401
from forum.chat.queries import membership  # noqa: F401
from forum.chat.queries import message_payload  # noqa: F401
from forum.chat.queries import read_markers  # noqa: F401
from forum.chat.queries import require_member  # noqa: F401
from forum.chat.queries import search  # noqa: F401
from forum.chat.queries import search_members  # noqa: F401
from forum.chat.queries import since  # noqa: F401
from forum.chat.queries import total_unread  # noqa: F401
from forum.chat.queries import unread_counts  # noqa: F401
from forum.chat.queries import wants_receipts  # noqa: F401
