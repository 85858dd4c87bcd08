import { Command, Option } from "clipanion";
import { UsageError } from "../../errors.js";
import { TargetCommand } from "../base.js";
import { parseOnly } from "./run.js";

/** Options `docker exec` and `docker build` share. */
abstract class DockerCommand extends TargetCommand {
  // `-i` is docker's --interactive here: the identity file is named in full.
  override identityFile = Option.String("--identity-file", { description: "age identity file to decrypt with" });
  only = Option.Array("--only", { description: "Comma-separated keys to pass (default: all); may be repeated" });
  group = Option.String("--group,-g", { description: "Pass the keys of this group of the secrets manifest" });
  dockerContext = Option.String("--context", { description: "Docker context to use (as docker --context)" });
  allowInsecureHost = Option.Boolean("--allow-insecure-docker-host", false, { description: "Send secrets to a tcp:// daemon without TLS verification" });

  protected docker(): { only: string[] | undefined; group: string | undefined; context: string | undefined; allowInsecureHost: boolean } {
    return { only: parseOnly(this.only), group: this.group, context: this.dockerContext, allowInsecureHost: this.allowInsecureHost };
  }
}

export class DockerExecCommand extends DockerCommand {
  static override paths = [["docker", "exec"]];
  static override usage = Command.Usage({
    category: "Runtime",
    description: "run a command in a running container with secrets (as variables, or files on a tmpfs)",
    details: `
      Runs \`docker exec -e KEY … CONTAINER COMMAND\`: each selected key is named with \`-e KEY\` (no value) and its value is in the docker client's environment only, so values appear in no argv and in no container configuration (\`docker inspect\`). The rest of the client's environment is yours, without git-vault's variables.

      With \`--as-files\`, the values are written to \`--dir\` (default /run/secrets) in the container through one \`docker exec -i\` with the values on stdin (umask 077, mode 0400, owned by the exec user), after checking the folder is on a tmpfs (\`--allow-disk\` accepts another file system); \`--cleanup\` removes them when the command ends.

      Before any value is decrypted, the daemon the client will use is resolved (\`--context\`, DOCKER_HOST, DOCKER_CONTEXT, the current context): \`tcp://\` without TLS verification is refused unless \`--allow-insecure-docker-host\` or the configuration's \`docker.allowInsecureHost\`. The exit code is docker exec's.
    `,
    examples: [
      ["Run a migration with two prod secrets", "git vault docker exec --env prod --only DATABASE_URL,REDIS_URL app-web-1 -- ./migrate"],
      ["The keys of the manifest's deploy group", "git vault docker exec --env prod --group deploy app-web-1 -- ./deploy.sh"],
      ["Secrets as files on the container's tmpfs, removed afterwards", "git vault docker exec --as-files --cleanup app-web-1 -- sh -c 'cat /run/secrets/API_TOKEN | ./client'"],
      ["An interactive shell", "git vault docker exec -it app-web-1 -- sh"],
      ["The container named by option", "git vault docker exec --container app-web-1 -- env"],
    ],
  });
  interactive = Option.Boolean("-i,--interactive", false, { description: "Keep stdin open (as docker exec -i)" });
  tty = Option.Boolean("-t,--tty", false, { description: "Allocate a terminal (as docker exec -t)" });
  user = Option.String("-u,--user", { description: "User to run as in the container (as docker exec -u)" });
  workdir = Option.String("-w,--workdir", { description: "Working folder in the container (as docker exec -w)" });
  asFiles = Option.Boolean("--as-files", false, { description: "Write the secrets as files in the container instead of variables" });
  dir = Option.String("--dir", { description: "Folder for --as-files (default /run/secrets; must be a tmpfs)" });
  cleanup = Option.Boolean("--cleanup", false, { description: "With --as-files: remove the files when the command ends" });
  allowDisk = Option.Boolean("--allow-disk", false, { description: "With --as-files: accept a folder that is not a tmpfs" });
  containerOption = Option.String("--container,-c", { description: "The container (instead of the CONTAINER argument)" });
  // CONTAINER -- COMMAND...: clipanion gives an optional positional before a rest to the rest, so both are read from it.
  argv = Option.Rest({ name: "CONTAINER -- COMMAND" });

  async execute(): Promise<number> {
    const { dockerExec } = await import("../../app/docker.js");
    // `--container NAME -- COMMAND` (as the specification writes it) or `NAME -- COMMAND`.
    const [container, argv] = this.containerOption === undefined ? [this.argv[0], this.argv.slice(1)] : [this.containerOption, this.argv];
    if (container === undefined) throw new UsageError("no container given", "name it before --: git vault docker exec CONTAINER -- COMMAND");
    return dockerExec(
      this.context,
      {
        ...this.target(),
        ...this.docker(),
        container,
        argv,
        interactive: this.interactive,
        tty: this.tty,
        user: this.user,
        workdir: this.workdir,
        asFiles: this.asFiles,
        dir: this.dir,
        cleanup: this.cleanup,
        allowDisk: this.allowDisk,
      },
      this.context.signals,
    );
  }
}

export class DockerBuildCommand extends DockerCommand {
  static override paths = [["docker", "build"]];
  static override usage = Command.Usage({
    category: "Runtime",
    description: "docker build with the secrets as BuildKit build secrets (never in the image)",
    details: `
      Runs \`docker build --secret id=KEY,env=KEY … ARGS\` with DOCKER_BUILDKIT=1: the values are in the docker client's environment only. In the Dockerfile, \`RUN --mount=type=secret,id=KEY cat /run/secrets/KEY\` reads one for that step; it is in no layer and no history. Never pass secrets with ARG, ENV or --build-arg: they stay in the image history. The daemon is checked as for \`docker exec\`.
    `,
    examples: [
      ["Build with an npm token as a build secret", "git vault docker build --only NPM_TOKEN -- -t app:latest ."],
      ["Prod secrets, another Dockerfile", "git vault docker build --env prod --only SENTRY_AUTH_TOKEN -- -f Dockerfile.prod -t app:prod ."],
    ],
  });
  argv = Option.Rest({ name: "ARGS" });

  async execute(): Promise<number> {
    const { dockerBuild } = await import("../../app/docker.js");
    return dockerBuild(this.context, { ...this.target(), ...this.docker(), argv: this.argv }, this.context.signals);
  }
}
