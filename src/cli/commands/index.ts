/** Every command class, in the order `--help` lists them. */
import { AgentLockCommand, AgentServeCommand, AgentStartCommand, AgentStatusCommand, AgentStopCommand } from "./agent.js";
import { AuditShowCommand, AuditTailCommand, AuditVerifyCommand } from "./audit.js";
import { CheckCommand } from "./check.js";
import { DecryptCommand } from "./decrypt.js";
import { DockerBuildCommand, DockerExecCommand } from "./docker.js";
import { DoctorCommand } from "./doctor.js";
import { EncryptCommand } from "./encrypt.js";
import { ExportCommand } from "./export.js";
import { FmtCommand } from "./fmt.js";
import { GetCommand } from "./get.js";
import { ImportCommand } from "./import.js";
import { HooksInstallCommand, HooksStatusCommand, HooksUninstallCommand } from "./hooks.js";
import { InitCommand } from "./init.js";
import { InstallCommand, UninstallCommand } from "./install.js";
import { KeygenCommand } from "./keygen.js";
import { KeysExportCommand, KeysImportCommand, KeysMigrateCommand, KeysShowCommand, KeysWhereCommand } from "./keys.js";
import { ListCommand } from "./list.js";
import { ManCommand } from "./man.js";
import { MergeDriverCommand } from "./merge-driver.js";
import { SetCommand } from "./set.js";
import { StatusCommand } from "./status.js";
import { RemoteGetCommand, RemoteRunCommand } from "./remote.js";
import { PolicyAllowCommand } from "./policy.js";
import { RecipientsAddCommand, RecipientsListCommand, RecipientsRemoveCommand } from "./recipients.js";
import { PullCommand } from "./pull.js";
import { RestoreCommand } from "./restore.js";
import { ReviewCommand } from "./review.js";
import { RotateCommand } from "./rotate.js";
import { RunCommand } from "./run.js";
import { ServeCommand } from "./serve.js";
import { TextconvCommand } from "./textconv.js";
import { TokenIssueCommand, TokenListCommand, TokenRevokeCommand } from "./token.js";
import { TrustAcceptCommand, TrustForgetCommand, TrustStatusCommand } from "./trust.js";
import { UnsetCommand } from "./unset.js";
import { ValidateCommand } from "./validate.js";
import { VerifyCommand } from "./verify.js";

export const commands = [
  InitCommand,
  SetCommand,
  GetCommand,
  UnsetCommand,
  ListCommand,
  EncryptCommand,
  DecryptCommand,
  RestoreCommand,
  FmtCommand,
  CheckCommand,
  VerifyCommand,
  ValidateCommand,
  RunCommand,
  ImportCommand,
  ExportCommand,
  ServeCommand,
  TokenIssueCommand,
  TokenListCommand,
  TokenRevokeCommand,
  RemoteGetCommand,
  RemoteRunCommand,
  DockerExecCommand,
  DockerBuildCommand,
  AuditTailCommand,
  AuditShowCommand,
  AuditVerifyCommand,
  PolicyAllowCommand,
  RecipientsListCommand,
  RecipientsAddCommand,
  RecipientsRemoveCommand,
  TrustStatusCommand,
  TrustAcceptCommand,
  TrustForgetCommand,
  PullCommand,
  ReviewCommand,
  RotateCommand,
  KeygenCommand,
  KeysShowCommand,
  KeysWhereCommand,
  KeysImportCommand,
  KeysExportCommand,
  AgentStartCommand,
  AgentStatusCommand,
  AgentLockCommand,
  AgentStopCommand,
  KeysMigrateCommand,
  StatusCommand,
  DoctorCommand,
  InstallCommand,
  UninstallCommand,
  HooksInstallCommand,
  HooksStatusCommand,
  HooksUninstallCommand,
  TextconvCommand,
  MergeDriverCommand,
  ManCommand,
  AgentServeCommand,
];
