import { print, type GraphQLFormattedError } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { WaymarkClientError } from "./errors";

export interface HttpOptions {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  url: string;
  apiKey?: string;
  fetch?: typeof fetch;
}

interface Answer<T> {
  data?: T | null;
  errors?: GraphQLFormattedError[];
}

/** Runs one query or mutation over HTTP (POST, JSON); any error in the answer is thrown, typed by its code. */
export function httpRequester(options: HttpOptions) {
  const send = options.fetch ?? fetch;
  const texts = new WeakMap<object, string>();
  return async <T, V>(document: TypedDocumentNode<T, V>, variables: V): Promise<T> => {
    let query = texts.get(document);
    if (query === undefined) texts.set(document, (query = print(document)));
    let answer: Answer<T>;
    try {
      const response = await send(options.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/graphql-response+json, application/json",
          ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
      answer = (await response.json()) as Answer<T>;
    } catch (error) {
      throw new WaymarkClientError("NETWORK_ERROR", `No GraphQL answer from ${options.url}: ${(error as Error).message}`, [], { cause: error });
    }
    if (answer.errors?.length) throw WaymarkClientError.of(answer.errors);
    if (answer.data == null) throw new WaymarkClientError("INTERNAL_SERVER_ERROR", "The answer had neither data nor errors");
    return answer.data;
  };
}
