// The floor for `textconv`: a Node process that only prints the file it is given.
// Same process start-up as git-vault, none of its work.
import { readFileSync } from "node:fs";

process.stdout.write(readFileSync(process.argv[2]));
