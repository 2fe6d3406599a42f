from tests.permissions import Row

ROWS = [
    Row("accounts:login", "anonymous", 200),
    Row("accounts:login", "teacher_a", 302, note="already signed in: sent home"),
    Row("accounts:logout", "teacher_a", 302, method="post"),
    Row("accounts:logout", "anonymous", 302, method="post"),
    Row("admin:index", "anonymous", 302),
    Row("admin:index", "teacher_a", 302),
]
