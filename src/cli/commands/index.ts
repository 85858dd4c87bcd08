/** Every command class, in the order `--help` lists them. */
import { CheckCommand } from "./check.js";
import { DecryptCommand } from "./decrypt.js";
import { EncryptCommand } from "./encrypt.js";
import { FmtCommand } from "./fmt.js";
import { GetCommand } from "./get.js";
import { KeygenCommand } from "./keygen.js";
import { KeysExportCommand, KeysImportCommand, KeysShowCommand, KeysWhereCommand } from "./keys.js";
import { ListCommand } from "./list.js";
import { SetCommand } from "./set.js";
import { UnsetCommand } from "./unset.js";

export const commands = [
  SetCommand,
  GetCommand,
  UnsetCommand,
  ListCommand,
  EncryptCommand,
  DecryptCommand,
  FmtCommand,
  CheckCommand,
  KeygenCommand,
  KeysShowCommand,
  KeysWhereCommand,
  KeysImportCommand,
  KeysExportCommand,
];
