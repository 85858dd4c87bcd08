// Lower bound of a Node client answered by the agent (bench/probes/agent-readers.mjs).
const net = require("node:net");
const s = net.createConnection(process.env.SOCK);
const parts = [];
s.on("connect", () => s.end(`textconv\nfile=${process.argv[2]}\n\n`));
s.on("data", (c) => parts.push(c));
s.on("close", () => { const b = Buffer.concat(parts); if (!b.subarray(0, 3).equals(Buffer.from("ok "))) { console.error(b.toString().slice(0, 200)); process.exit(1); } });
