/**
 * Values Packer computes when it builds (the time, a UUID), which the importer cannot know: they
 * evaluate to sentinels made of lower-case letters only, so string functions such as
 * `regex_replace(timestamp(), "[- TZ:]", "")` leave them whole, and the mapping turns them into
 * Image Builder's build variables where those exist.
 */
import { BUILD_DATE, BUILD_VERSION } from '../../image/ami-name';

export const BUILD_DATE_SENTINEL = 'pkrimportbuilddate';
export const BUILD_VERSION_SENTINEL = 'pkrimportbuildversion';

/** A value Packer knows only while building (`build.ID`, `{{ .SourceAMI }}`...), kept as text. */
export function unresolved(expression: string): string {
  return `{{ ${expression} }}`;
}

/** In names and tags: Image Builder's own build variables. */
export function toBuildVariables(text: string): string {
  return text.split(BUILD_DATE_SENTINEL).join(BUILD_DATE).split(BUILD_VERSION_SENTINEL).join(BUILD_VERSION);
}

/** In scripts: the shell computes them on the build instance. */
export function toShellValues(text: string): string {
  return text.split(BUILD_DATE_SENTINEL).join('$(date -u +%Y%m%d%H%M%S)').split(BUILD_VERSION_SENTINEL).join('$(cat /proc/sys/kernel/random/uuid)');
}

/** Whether text holds a build-time value. */
export function hasBuildTimeValue(text: string): boolean {
  return text.includes(BUILD_DATE_SENTINEL) || text.includes(BUILD_VERSION_SENTINEL);
}
