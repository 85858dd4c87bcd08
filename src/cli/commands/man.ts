import { VaultCommand } from "../base.js";
import { renderManPage } from "../manpage.js";

/** Hidden: prints the man page (the build writes it to man/git-vault.1). */
export class ManCommand extends VaultCommand {
  static override paths = [["__man"]];

  execute(): Promise<number> {
    this.context.stdout.write(renderManPage(this.cli.definitions(), "2026-11-23"));
    return Promise.resolve(0);
  }
}
