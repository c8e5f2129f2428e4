import pytest
from django.core.exceptions import ImproperlyConfigured

from dadukou.settings import parsers


class TestParsers:
    @pytest.mark.parametrize("raw,expected", [("1", True), ("true", True), ("off", False), ("", False)])
    def test_bool(self, raw, expected):
        assert parsers.env_bool("X", not expected, {"X": raw}) is expected

    def test_bool_rejects_nonsense(self):
        with pytest.raises(ImproperlyConfigured):
            parsers.env_bool("X", False, {"X": "maybe"})

    def test_int_and_list(self):
        assert parsers.env_int("N", 3, {}) == 3
        assert parsers.env_int("N", 3, {"N": "8"}) == 8
        with pytest.raises(ImproperlyConfigured):
            parsers.env_int("N", 3, {"N": "eight"})
        assert parsers.env_list("H", ["a"], {"H": "x.gov.cn, y.gov.cn,"}) == ["x.gov.cn", "y.gov.cn"]

    def test_secret_from_file(self, tmp_path):
        secret = tmp_path / "key"
        secret.write_text("s" * 60 + "\n")
        assert parsers.env_secret("SECRET_KEY", {"SECRET_KEY_FILE": str(secret)}) == "s" * 60

    def test_missing_secret_key_fails_loudly_in_production(self, tmp_path):
        with pytest.raises(ImproperlyConfigured):
            parsers.secret_key({}, debug=False, dev_key_file=tmp_path / "k")
        with pytest.raises(ImproperlyConfigured):
            parsers.secret_key({"SECRET_KEY": "short"}, debug=False, dev_key_file=tmp_path / "k")

    def test_debug_generates_and_keeps_a_key(self, tmp_path):
        first = parsers.secret_key({}, debug=True, dev_key_file=tmp_path / "k")
        assert len(first) >= 50 and parsers.secret_key({}, debug=True, dev_key_file=tmp_path / "k") == first

    def test_database_defaults_to_sqlite_under_var(self, tmp_path):
        config = parsers.database({}, tmp_path / "db.sqlite3")
        assert config["ENGINE"] == "django.db.backends.sqlite3"
        assert config["NAME"] == str(tmp_path / "db.sqlite3")
        pg = parsers.database({"DATABASE_URL": "postgres://u@h:5432/d"}, tmp_path / "x")
        assert pg["ENGINE"] == "django.db.backends.postgresql" and pg["NAME"] == "d"

    def test_celery_broker_without_redis_needs_no_server(self, tmp_path):
        url, options = parsers.celery_broker({}, tmp_path)
        assert url == "filesystem://"
        assert (tmp_path / "celery" / "queue").is_dir()
        url, options = parsers.celery_broker({"REDIS_URL": "redis://127.0.0.1:6379/0"}, tmp_path)
        assert url.startswith("redis://") and options["visibility_timeout"] >= 3600


def test_locale_settings(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]
