/**
 * Set up before every unit test file (vitest.config.ts): the suite's time limits per test and hook
 * (20 s) grown with the machine's load when the file starts (see `scaled`). A test that waits on
 * real processes and sockets takes 5 to 10 times as long at a load of 15 to 40 on 2 cores with
 * nothing stuck; a limit that only catches a hang should not fail it. Limits a test sets itself stand.
 */
import { vi } from "vitest";
import { scaled } from "./timing.js";

vi.setConfig({ testTimeout: scaled(20_000), hookTimeout: scaled(20_000) });
