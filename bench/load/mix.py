"""The names the load test's requests are counted under, shared by the locustfile (which makes
them) and the runner (which reports any that a run never made), so neither imports the other:
importing locust patches the whole process for gevent, which the runner must not be.

A conflict is two simulated people changing one record at once. The locustfile gives every
record it changes to one simulated person only, so none is expected; if one happens anyway it
is a failure whose message starts with CONFLICT, and the runner counts it apart from errors.
"""

CONFLICT = "conflict: "

LOGIN_PAGE = "login page"
LOG_IN = "log in"
MY_DAY = "my day"
CONTACTS = "contacts list"
CONTACTS_FILTER = "contacts list: filter as you type"
CONTACTS_SORT = "contacts list: sort"
COMPANIES = "companies list"
COMPANIES_FILTER = "companies list: filter"
COMPANIES_SORT = "companies list: sort"
DEALS = "deals list"
DEALS_FILTER = "deals list: filter"
DEALS_SORT = "deals list: sort"
DEALS_NEXT_PAGE = "deals list: next page"
ACTIVITIES = "activities list"
ACTIVITIES_FILTER = "activities list: filter"
SEARCH = "search as you type"
SEARCH_RESULT = "search: open a result"
CONTACT = "contact detail"
LOG_CALL = "log a call on a contact"
QUICK_ADD_OPEN = "quick add: open"
QUICK_ADD_PICK = "quick add: with whom, as you type"
QUICK_ADD_SAVE = "quick add: log a call"
INLINE_OPEN = "inline edit: open"
INLINE_SAVE = "inline edit: save"
BOARD = "board"
BOARD_MINE = "board: mine"
BOARD_MOVE = "board: move"
REPORTS = "reports"
REPORT = "report page"
DASHBOARD = "dashboard"
DASHBOARD_SECTION = "dashboard section"
MEETINGS = "meetings"
AGENDA = "agenda"
MEETING = "meeting"
MEETING_PAGE = "meeting: next section"
SETTINGS = "settings"
SETTINGS_USERS = "settings: users and teams"
SETTINGS_HISTORY = "settings: history"

# Every name above, in the order written.
ALL = [value for key, value in list(globals().items()) if key.isupper() and key != "CONFLICT"]
