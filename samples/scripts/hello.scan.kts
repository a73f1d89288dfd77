// The smallest scan script: prints a line and its command-line arguments.
// bin/kmap run samples/scripts/hello.scan.kts a b
println("hello from a kmap scan script, args=$args")
