// Config templates are bundled as text (esbuild's text loader; a Vite plugin in tests).
declare module '*.yaml' {
  const text: string;
  export default text;
}
