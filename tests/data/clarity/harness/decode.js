// Decode ../session.jsonl with clarity-decode: node decode.js ../session.jsonl > ../session.decoded.json
const { decode } = require("clarity-decode");
const lines = require("fs").readFileSync(process.argv[2], "utf8").split("\n").filter(l => l.trim());
process.stdout.write(JSON.stringify(lines.map(l => decode(l))));
