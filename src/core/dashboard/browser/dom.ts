/**
 * Element building for the dashboard's browser modules. Data only ever goes
 * into `textContent`, never markup, so event data cannot inject HTML.
 */

/** Creates `<tag class=cls>text</tag>`. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (cls !== undefined && cls !== '') node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The element with `id`; throws when the page lacks it (a page and its script out of step). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`the page has no element #${id}`);
  return node as T;
}

/** Sets the text of the element with `id`. */
export function setText(id: string, value: string): void {
  byId(id).textContent = value;
}

/** Parses the JSON body of a server-sent event as `T` (the server's own wire format). */
export function eventData<T>(message: Event): T {
  return JSON.parse((message as MessageEvent<string>).data) as T;
}
