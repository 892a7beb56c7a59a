// Which kernels `harness bench` times: every installed plugin's, one plugin's, or `plugin:kernel`.
// Resolved from the manifests alone, so a typo is answered before any plugin code is imported.
import { UserError, didYouMean } from '../errors.ts';
import { requirePlugin, type PluginRecord, type Registry } from '../plan/registry.ts';
import { CORE_KERNEL_SETS, type CoreKernelSet } from './core-kernels.ts';

export interface KernelSelection {
  /** The plugin id, or the core kernel set's id. */
  id: string;
  /** The plugin, when the kernels are a plugin's. */
  record?: PluginRecord;
  /** The core kernel set, when they are the core's (`nn`). */
  core?: CoreKernelSet;
  /** Kernel ids in declaration order. */
  kernels: string[];
}

export interface SelectedKernels {
  selections: KernelSelection[];
  /** Plugins left out of an unfiltered bench because they cannot run here, with the reason. */
  notInstalled: string[];
}

export function selectKernels(registry: Registry, selectors: readonly string[]): SelectedKernels {
  if (!selectors.length) {
    const selections: KernelSelection[] = [];
    const notInstalled: string[] = [];
    for (const core of CORE_KERNEL_SETS) selections.push({ id: core.id, core, kernels: [...core.kernels] });
    for (const record of registry.plugins.values()) {
      const kernels = declaredKernels(record);
      if (!kernels.length) continue;
      if (record.notInstalled) notInstalled.push(`${record.manifest.id}: ${record.notInstalled}`);
      else selections.push({ id: record.manifest.id, record, kernels });
    }
    return { selections, notInstalled };
  }
  const chosen = new Map<string, KernelSelection>();
  for (const selector of selectors) {
    const { pluginId, kernelId } = parseSelector(selector);
    const core = CORE_KERNEL_SETS.find((c) => c.id === pluginId);
    const record = core ? undefined : requirePlugin(registry, pluginId, `bench ${selector}: `);
    const declared = core ? [...core.kernels] : declaredKernels(record!);
    if (!declared.length) throw new UserError(`bench ${selector}: plugin "${pluginId}" declares no kernels`);
    if (kernelId !== undefined && !declared.includes(kernelId)) {
      throw new UserError(`bench ${selector}: plugin "${pluginId}" has no kernel "${kernelId}"${didYouMean(kernelId, declared)}`, [
        `its kernels: ${declared.join(', ')}`,
      ]);
    }
    const selection = chosen.get(pluginId) ?? { id: pluginId, record, core, kernels: [] };
    const wanted = kernelId === undefined ? declared : [kernelId];
    selection.kernels = declared.filter((id) => selection.kernels.includes(id) || wanted.includes(id));
    chosen.set(pluginId, selection);
  }
  return { selections: [...chosen.values()], notInstalled: [] };
}

function parseSelector(selector: string): { pluginId: string; kernelId?: string } {
  const match = /^([a-z0-9][a-z0-9-]*)(?::([a-z0-9][a-z0-9-]*))?$/.exec(selector);
  if (!match) throw new UserError(`bench: "${selector}" is not a plugin id or plugin:kernel (e.g. scaling-laws or scaling-laws:fit-m4)`);
  return { pluginId: match[1], kernelId: match[2] };
}

function declaredKernels(record: PluginRecord): string[] {
  return (record.manifest.kernels ?? []).map((k) => k.id);
}
