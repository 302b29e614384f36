import type { Command } from "commander"; export function simulateCommand(_p: Command): void {}
