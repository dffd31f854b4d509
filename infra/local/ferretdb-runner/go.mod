module dynsync.local/ferretdb-runner

go 1.24
