{
  "targets": [
    {
      "target_name": "tsvisor",
      "sources": ["native/addon.c", "native/ptrace_platform.c", "native/memfile.c", "native/hostio.c", "native/hostfs.c", "native/hostpty.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-std=gnu11"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
