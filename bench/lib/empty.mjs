// An empty ES module: the start-up floor of any ESM entry point (node -e 0 runs no ES module loader).
