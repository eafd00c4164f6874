"""A real WordPress from Debian's packages, started for the tests and stopped after.

MariaDB runs on a temporary data folder and socket (no network); WordPress is
served by ``php -S`` on a free loopback port from a folder of links to
/usr/share/wordpress with its own wp-config.php, so nothing outside the
temporary folder is touched. It is installed offline with PHP, and an
application password is made for its editor.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

WORDPRESS = Path("/usr/share/wordpress")
USER = "editor"


def missing() -> str:
    """Why WordPress cannot run here, or "" when it can."""
    needs = {"wordpress": (WORDPRESS / "wp-settings.php").is_file(),
             "mariadb-server": bool(shutil.which("mariadbd") or shutil.which("mysqld")),
             "mariadb-install-db": bool(shutil.which("mariadb-install-db")),
             "php": bool(shutil.which("php"))}
    absent = [name for name, found in needs.items() if not found]
    if not absent and "mysqli" not in subprocess.run(["php", "-m"], capture_output=True,
                                                     text=True).stdout:
        absent.append("php-mysql")
    return ("WordPress test packages not installed (run .ci/setup.d/61-wordpress.sh): "
            + ", ".join(absent)) if absent else ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class WordPress:
    folder: Path
    port: int = 0
    password: str = ""  # the application password
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> WordPress:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._start_database()
        self._make_root()
        self.port = free_port()
        self._start_php()
        self.password = self.php("""
            require_once ABSPATH . 'wp-admin/includes/upgrade.php';
            wp_install('Newsroom', 'editor', 'editor@example.org', true, '', 'editor-login-password');
            update_option('permalink_structure', '');
            [$password] = WP_Application_Passwords::create_new_application_password(
                get_user_by('login', 'editor')->ID, ['name' => 'bulletin']);
            echo $password;
        """, installing=True).strip()
        return self

    def stop(self) -> None:
        for process in reversed(self.processes):
            # Each server leads its own process group: php -S forks workers.
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()

    def php(self, code: str, installing: bool = False) -> str:
        """Run PHP inside this WordPress (as WP-CLI would) and return what it printed."""
        script = self.folder / "run.php"
        script.write_text(
            "<?php\n"
            + ("define('WP_INSTALLING', true);\n" if installing else "")
            + f"define('ABSPATH', '{self.root}/');\n"
            + "$_SERVER['HTTP_HOST'] = '127.0.0.1';\n"
            + "require_once ABSPATH . 'wp-load.php';\n" + code, encoding="utf-8")
        done = subprocess.run(["php", str(script)], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"php failed: {done.stdout[-2000:]} {done.stderr[-2000:]}")
        return done.stdout

    @property
    def root(self) -> Path:
        return self.folder / "www"

    @property
    def socket(self) -> Path:
        return self.folder / "mysql.sock"

    def _start_database(self) -> None:
        data = self.folder / "db"
        subprocess.run(["mariadb-install-db", f"--datadir={data}", "--user=" + _user(),
                        "--auth-root-authentication-method=normal", "--skip-test-db"],
                       check=True, capture_output=True, timeout=180)
        server = shutil.which("mariadbd") or shutil.which("mysqld") or "mariadbd"
        self.processes.append(subprocess.Popen(
            [server, "--no-defaults", f"--datadir={data}", f"--socket={self.socket}",
             "--skip-networking", f"--pid-file={self.folder / 'db.pid'}", "--user=" + _user(),
             "--innodb-buffer-pool-size=32M", "--skip-log-bin"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        deadline = time.monotonic() + 60
        while True:
            done = subprocess.run(["mariadb", f"--socket={self.socket}", "-uroot",
                                   "-e", "CREATE DATABASE IF NOT EXISTS wordpress"],
                                  capture_output=True)
            if done.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"mariadb did not start: {done.stderr.decode()}")
            time.sleep(0.3)

    def _make_root(self) -> None:
        self.root.mkdir()
        for entry in WORDPRESS.iterdir():
            if entry.name not in ("wp-config.php", "wp-content"):
                (self.root / entry.name).symlink_to(entry)
        content = self.root / "wp-content"
        (content / "uploads").mkdir(parents=True)
        for part in ("themes", "plugins"):
            (content / part).symlink_to(WORDPRESS / "wp-content" / part)
        (self.root / "wp-config.php").write_text(f"""<?php
define('DB_NAME', 'wordpress');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', 'localhost:{self.socket}');
define('DB_CHARSET', 'utf8mb4');
define('WP_CONTENT_DIR', '{content}');
define('WP_HOME', 'http://127.0.0.1:' . ($_SERVER['SERVER_PORT'] ?? '80'));
define('WP_SITEURL', WP_HOME);
define('WP_ENVIRONMENT_TYPE', 'local');  // application passwords without HTTPS
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('DISABLE_WP_CRON', true);
$table_prefix = 'wp_';
require_once ABSPATH . 'wp-settings.php';
""", encoding="utf-8")
        # PHP resolves the links, so wp-load.php would find Debian's wp-config.php
        # beside itself; the router defines ABSPATH first so that ours is loaded.
        # php -S has no rewrites either: every path that is not a file goes to
        # WordPress's index.php, so pretty permalinks (/wp-json/) work when on.
        (self.folder / "router.php").write_text(f"""<?php
define('ABSPATH', '{self.root}/');
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$file = ABSPATH . ltrim($path, '/');
if (is_dir($file)) {{ $path = rtrim($path, '/') . '/index.php'; $file = rtrim($file, '/') . '/index.php'; }}
if (!is_file($file)) {{ $path = '/index.php'; $file = ABSPATH . 'index.php'; }}
if (substr($file, -4) !== '.php') {{ return false; }}
$_SERVER['SCRIPT_NAME'] = $_SERVER['PHP_SELF'] = $path;
$_SERVER['SCRIPT_FILENAME'] = $file;
chdir(dirname($file));
require $file;
""", encoding="utf-8")

    def _start_php(self) -> None:
        self.processes.append(subprocess.Popen(
            ["php", "-d", "upload_max_filesize=20M",
             "-S", f"127.0.0.1:{self.port}", "-t", str(self.root), str(self.folder / "router.php")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
            env={**os.environ, "PHP_CLI_SERVER_WORKERS": "4"}))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/wp-includes/images/blank.gif", timeout=2)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("php -S did not start")


def _user() -> str:
    import getpass

    return getpass.getuser()
