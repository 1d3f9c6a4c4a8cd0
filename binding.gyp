{
  "targets": [
    {
      "target_name": "skiff_fs",
      "sources": ["repository/fs/native/skiff_fs.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
