"""A small local SparkSession for tests, notebooks and benchmarks.

uxlens never needs Spark: the engine runs on embedded DuckDB by default. This
helper exists so that tests (``@pytest.mark.spark``) and users trying the
PySpark path locally start Spark the same way: ``local[2]`` master, few
shuffle partitions (the default of 200 makes small queries slow), UTC session
time zone (so timestamps round-trip unchanged), quiet logs and no web UI.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import TYPE_CHECKING, Any

from ..exceptions import MissingDependencyError

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import SparkSession

__all__ = ["local_spark", "spark_available"]

_CONF: dict[str, str] = {
    "spark.sql.shuffle.partitions": "4",
    "spark.default.parallelism": "2",
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.pyspark.fallback.enabled": "true",
    "spark.driver.memory": "2g",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
    "spark.sql.adaptive.enabled": "true",
}


def spark_available() -> tuple[bool, str]:
    """Whether pyspark imports and a Java runtime is on the PATH, and why not.

    Examples
    --------
    >>> ok, why = spark_available()
    >>> isinstance(ok, bool) and isinstance(why, str)
    True
    """
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False, 'pyspark is not installed: pip install "uxlens[spark]"'
    java_home = os.environ.get("JAVA_HOME")
    has_java = shutil.which("java") is not None or (
        java_home is not None and os.path.exists(os.path.join(java_home, "bin", "java"))
    )
    if not has_java:
        return False, "no Java runtime found (PySpark 4 needs Java 17+): apt-get install default-jre"
    return True, ""


def local_spark(app_name: str = "uxlens", *, cores: int = 2, **conf: Any) -> SparkSession:
    """Get (or create) a quiet local SparkSession suited to uxlens.

    Parameters
    ----------
    app_name
        Spark application name.
    cores
        Number of local worker threads (``local[cores]``).
    **conf
        Extra or overriding Spark settings; their names contain dots, so pass
        them unpacked from a dict: ``local_spark(**{"spark.driver.memory": "4g"})``.

    Returns
    -------
    pyspark.sql.SparkSession
        The active session if one exists (Spark allows one per process), else
        a new one. Use it with ``ibis.pyspark.connect(spark)`` or
        ``uxlens.connect(spark)``.

    Raises
    ------
    MissingDependencyError
        When pyspark or Java is missing.

    Examples
    --------
    >>> from uxlens.engine._spark import local_spark
    >>> spark = local_spark()  # doctest: +SKIP
    >>> spark.conf.get("spark.sql.session.timeZone")  # doctest: +SKIP
    'UTC'
    """
    ok, why = spark_available()
    if not ok:
        raise MissingDependencyError(f"local_spark() needs PySpark and Java: {why}.")
    from pyspark.sql import SparkSession

    # Keep Spark's scratch files out of the user's working directory.
    scratch = os.path.join(tempfile.gettempdir(), "uxlens-spark")
    settings = {
        **_CONF,
        "spark.sql.warehouse.dir": os.path.join(scratch, "warehouse"),
        "spark.local.dir": os.path.join(scratch, "local"),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={scratch}",
        **conf,
    }
    builder = SparkSession.builder.master(f"local[{int(cores)}]").appName(app_name)
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    # getOrCreate() returns an existing session unchanged; the SQL settings that
    # uxlens relies on can still be applied at run time.
    for key in ("spark.sql.session.timeZone", "spark.sql.shuffle.partitions"):
        spark.conf.set(key, settings[key])
    return spark
