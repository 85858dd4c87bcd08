/**
 * git-vault's only interface to git: typed functions over the user's `git`
 * command-line program (argv arrays, explicit cwd and env, no shell, `-z`
 * lists). Every function takes a GitContext and throws GitError (git's exit
 * code and stderr) or NotInRepoError. The raw runner is deliberately not
 * exported.
 */
export type { GitContext } from "./runner.js";
export {
  currentBranch,
  gitDir,
  gitPath,
  gitVersion,
  headCommit,
  hooksDir,
  isBare,
  isWorkTreeRoot,
  repoContext,
  repoRoot,
  tryRepoRoot,
  versionAtLeast,
  type GitVersion,
} from "./repo.js";
export {
  configGet,
  configGetAll,
  configGetAllOrigins,
  configGetOrigin,
  configGetRegexp,
  configList,
  configRemoveSection,
  configSet,
  configUnset,
  escapeRegexp,
  type ConfigEntry,
  type ConfigReadOptions,
  type ConfigTarget,
  type ScopedConfigEntry,
} from "./config.js";
export { add, lineCommitTimes, lsFiles, showBlob, stagedFiles, statusPorcelain, tryShowBlob, type IndexEntry, type StatusEntry, type StatusOptions } from "./files.js";
export { aheadCount, commit, commitsOnNoRemote, hasCommit, revList, upstreamBranch, type RevListOptions } from "./commits.js";
export { deleteRef, pruneUnreachableNow, push, refsMatching, remoteUrl, type PushOptions, type RefEntry } from "./refs.js";
export {
  attachBranch,
  isFileTransportRefusal,
  submoduleAdd,
  submoduleFetchUrl,
  submoduleStatus,
  submoduleUpdateInit,
  submoduleUrl,
  type AttachResult,
  type SubmoduleStatus,
} from "./submodule.js";
export { mayBeListedSubmodule, pathInRepo, queryGitmodulesUrl, queryRootCommit, repoPlace, sharesRepository, type RepoPlace } from "./place.js";
export { isLocalUrl, isRelativeUrl, resolveRelativeUrl } from "./url.js";
export { absorbGitDirs, clone, isAncestor, remoteDefaultBranch, remoteIsEmpty, setUpstreamIfPresent, unbornBranch } from "./remote.js";
export { changedPaths, fastForward, fetch, gitlinkAt, mergeBase, rebase, resolveCommit, treePaths } from "./history.js";
